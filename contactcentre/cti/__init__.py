"""CTI screen pop: who is calling, why, their value and history, the script, the retention offer.

Built from our own records, optionally enriched by an external CRM and pushed to a webhook.
"""

"""Outbound campaigns on the platform side: configuration, lists, do-not-call, diagnostics, hopper.

The rules are routing.dialer's (pure); this package reads and writes their rows and asks them.

  policy       a campaign row as routing.dialer's CompliancePolicy; audited legal overrides
  dispositions a campaign's disposition codes; recording one (do-not-call adds to the DNC list)
  phones       a lead's number to E.164 and its candidate time zones (phonenumbers)
  lists        CSV import of a lead list: streamed, per-row errors, one transaction
  dnc          do-not-call entries: the SQL DncLookup, adding numbers, importing national lists
  leads        leads and their attempts as routing.dialer's Lead and DialAttemptRecord
  diagnostics  why a lead is not dialable now, why a campaign is not dialing
  agents       the agents signed in who may take a campaign's calls (its queue's expression)
  hopper       dialable leads buffered in Redis ahead of the pacer, refilled by an RQ job
"""

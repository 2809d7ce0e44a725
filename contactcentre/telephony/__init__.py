"""Telephony: the port to the phone network (Twilio) and a local emulator that speaks its protocol.

The emulator lives in `contactcentre.telephony.emulator` and never imports the application.
"""

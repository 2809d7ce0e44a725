"""The emulator account the telephony tests use: its SID and auth token, the number it
answers, and a customer who calls it."""

AUTH_TOKEN = "12345678901234567890123456789012"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
NUMBER = "+15005550006"
CUSTOMER = "+14155550100"

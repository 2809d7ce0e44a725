"""Web chat: the embeddable widget's server side, conversations routed through the ACD like calls.

See docs/chat.md for the wire protocol (HTTP and the /chat Socket.IO namespace).
"""

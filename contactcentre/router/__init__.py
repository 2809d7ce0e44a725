"""The router process: runs the pure ACD engine against Redis Streams, crash-safe.

Web processes and webhooks only append commands; the router alone changes routing state.
"""

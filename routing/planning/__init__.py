"""Workforce planning: agents needed for a demand (Erlang C and A, checked by the simulator) and
the forecast of that demand per 15-minute interval from history.

Pure: plain numbers and dataclasses in, plain dataclasses out; the database reading lives in
contactcentre/planning/.
"""

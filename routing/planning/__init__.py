"""Workforce planning: agents needed for a demand (Erlang C and A, checked by the simulator),
the forecast of that demand per 15-minute interval from history, and the replay of a logged day.

Pure: plain numbers and dataclasses in, plain dataclasses out; the database reading lives in
contactcentre/planning/.
"""

"""Workforce planning on the centre's own history: the interval tables read as demand, the
forecast and the staff it needs, a logged day replayed (the maths is routing/planning/)."""

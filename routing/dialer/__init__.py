"""The outbound dialer's pure core: compliance rules, abandon accounting, pacing, simulation.

No clock is read here: every rule takes `now` (an aware datetime) or seconds as an argument, so
the dialer process, the tests and the simulator all run the same code on the same inputs.

  legal            the legal defaults and the audited override that alone may widen them
  calling_window   calling hours in the called party's local time, every candidate zone
  suppression      do-not-call lists (internal, per campaign, national) and dispositions
  attempts         one dial attempt's record and what it counts as (live, abandoned)
  policy           a campaign's compliance policy (US or UK), validated against the law
  eligibility      why_not_dialable(lead, now, ...): every reason a lead is not dialable now
  campaign_status  why_not_dialing(...): every reason a campaign is not dialing now
  abandon          abandon rates per period (US 30 days, UK 24 hours, the day) and the throttle
  model            the pacing model: answer hazards by time ringing, agents freeing, from history
  forecast         agents free and live answers due over the next seconds; a new call's risk
  pacer            decide(inputs): preview, progressive, power or predictive, logged and replayable
  feedback         the slow loop that moves the pacer's risk target towards the abandon aim
  budget           the account's calls-per-second budget as a token bucket
  adaptive         VICIdial's adaptive dial level, the baseline the benchmark compares with
  simulation/      a discrete-event outbound campaign that runs the pacers above
"""

"""The self-check: what stands between this configuration and a running gatebot, one line each.

`gatebot doctor` runs every check; serve, socket and clock run the ones they depend on
before they start (bot.doctor.startup), and exit 2 with those lines instead of a traceback.
"""

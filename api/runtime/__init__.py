"""The service's loops wired from the settings: media monitoring, crisis detection and
delivery, the watchlist run and the ring refresh.
"""

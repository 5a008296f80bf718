"""The special-attention watchlist: the rules that find parties, the entries they raise, and
their four-eyes review.
"""

"""The public-opinion crisis: alerts raised from negative coverage, the crisis cases and steps
they open, and the records both return.
"""

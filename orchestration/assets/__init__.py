"""Asset definitions: ingest (raw), dbt (staging → marts), reports."""

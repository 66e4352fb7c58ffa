"""宜业高桥 warehouse: shared configuration, privacy helpers and the `yiye` CLI."""

__version__ = "0.1.0"

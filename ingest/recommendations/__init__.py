"""Write path of the recommendations register: extraction components and the sync after each ingest job."""

-- Weft's own database (idempotency store, outbox) next to Temporal's.
CREATE USER weft WITH PASSWORD 'weft';
CREATE DATABASE weft OWNER weft;

"""The HTTP API: a Litestar application over the container's use cases."""

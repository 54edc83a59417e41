# syntax=docker/dockerfile:1
# Multi-stage build: libtorch 2.13.0 comes from the PyPI torch wheel (CPU libraries only), the
# binary is built against it, and the runtime image carries just the binary, the shared
# libraries it loads, and the default model.

FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ENV TEXTSERVE_CACHE=/opt/textserve-cache \
    PIP_BREAK_SYSTEM_PACKAGES=1
COPY scripts/setup-libtorch.sh scripts/
RUN scripts/setup-libtorch.sh
COPY . .
RUN scripts/setup-libtorch.sh && cargo build --release --locked \
 && mkdir -p /out/bin /out/lib \
 && cp target/release/textserve /out/bin/ \
 && T=/opt/textserve-cache/libtorch-2.13.0/site \
 && cp -L $T/torch/lib/libtorch_cpu.so $T/torch/lib/libc10.so $T/torch/lib/libgomp.so.1 /out/lib/ \
 && cp -L $T/nvidia/cu13/lib/libcudart.so.13 $T/nvidia/cu13/lib/libcupti.so.13 /out/lib/

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app textserve
WORKDIR /app
# The binary's rpath includes $ORIGIN/../lib, so /app/bin/textserve finds /app/lib.
COPY --from=build /out/bin/textserve /app/bin/textserve
COPY --from=build /out/lib/ /app/lib/
COPY models/ /app/models/
USER textserve
# Bound to 0.0.0.0, the server requires TEXTSERVE_API_KEYS (or TEXTSERVE_API_KEY_FILE); set
# TEXTSERVE_ALLOW_UNAUTHENTICATED=true only on a network you trust.
ENV TEXTSERVE_HOST=0.0.0.0 \
    TEXTSERVE_PORT=8080 \
    TEXTSERVE_MODEL=/app/models/zh-reviews-sentiment \
    TEXTSERVE_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["/app/bin/textserve"]
CMD ["serve"]

# syntax=docker/dockerfile:1
# Multi-stage build: libtorch 2.13.0 comes from the PyPI torch wheel (CPU libraries only), the
# binary is built against it, and the runtime image carries just the stripped binary, the five
# shared libraries it loads, and the default model.
#
# The base images are build arguments, so the same file builds from the public images and from
# local stand-ins where no registry is reachable (scripts/local-base-images.sh):
#   podman build --build-arg BUILD_IMAGE=localhost/rust:1.95-bookworm \
#                --build-arg RUNTIME_IMAGE=localhost/debian:bookworm-slim .
ARG BUILD_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
RUN command -v pip3 >/dev/null || (apt-get update \
 && apt-get install -y --no-install-recommends python3-pip && rm -rf /var/lib/apt/lists/*)
WORKDIR /src
ENV TEXTSERVE_CACHE=/opt/textserve-cache \
    PIP_BREAK_SYSTEM_PACKAGES=1 \
    CARGO_PROFILE_RELEASE_DEBUG=false
COPY scripts/setup-libtorch.sh scripts/
RUN scripts/setup-libtorch.sh >/dev/null
# Dependencies first, against placeholder sources: a change under src/ rebuilds only the crate.
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo .cargo
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
 && cargo build --release --locked && rm -rf src
COPY src src
# COPY keeps the files' own times, which can be older than the placeholders' build.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
 && mkdir -p /out/bin /out/lib \
 && strip -o /out/bin/textserve target/release/textserve \
 && T=/opt/textserve-cache/libtorch-2.13.0/site \
 && cp -L $T/torch/lib/libtorch_cpu.so $T/torch/lib/libc10.so $T/torch/lib/libgomp.so.1 /out/lib/ \
 && cp -L $T/nvidia/cu13/lib/libcudart.so.13 $T/nvidia/cu13/lib/libcupti.so.13 /out/lib/

FROM ${RUNTIME_IMAGE} AS runtime
RUN useradd --system --uid 10001 --no-create-home --home-dir /app textserve
WORKDIR /app
# The binary's rpath includes $ORIGIN/../lib, so /app/bin/textserve finds /app/lib.
COPY --from=build /out/lib/ /app/lib/
COPY models/ /app/models/
COPY --from=build /out/bin/textserve /app/bin/textserve
USER 10001
# Bound to 0.0.0.0, the server requires TEXTSERVE_API_KEYS (or TEXTSERVE_API_KEY_FILE,
# TEXTSERVE_API_KEYS_FILE, or client certificates); set TEXTSERVE_ALLOW_UNAUTHENTICATED=true only
# on a network you trust. No certificate or key is baked in: TLS files are mounted at run time
# (compose secrets, Kubernetes Secrets) and named by TEXTSERVE_TLS_CERT/_KEY/_CLIENT_CA.
ENV TEXTSERVE_HOST=0.0.0.0 \
    TEXTSERVE_PORT=8080 \
    TEXTSERVE_MODEL=/app/models/zh-reviews-sentiment \
    TEXTSERVE_LOG_FORMAT=json
EXPOSE 8080
# `textserve healthcheck` reads TEXTSERVE_PORT as `serve` does, so a changed port stays healthy;
# against TLS it reads TEXTSERVE_TLS_CA (and, under mutual TLS, TEXTSERVE_HEALTHCHECK_CERT/_KEY).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/app/bin/textserve", "healthcheck"]
ENTRYPOINT ["/app/bin/textserve"]
CMD ["serve"]

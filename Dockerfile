# syntax=docker/dockerfile:1
# clipd's image: one image for the daemon (clipd) and the workers (clip-worker).
#
#   docker build -t clipd:local .
#
# Two stages.  "build" has the -dev packages and the compiler, builds the three
# programs and installs them with `cmake --install` into /usr/local, the same
# layout a packager gets (README "Install").  The runtime stage has only the
# shared libraries the programs link, the installed tree and a non-root user.
# No registry is needed beyond debian:bookworm-slim, which scripts/docker.sh
# builds locally with debootstrap when it cannot be pulled.

FROM debian:bookworm-slim AS build
# Lets `docker image prune --filter label=clipd.stage=build` remove what this
# stage leaves behind (the tests do).
LABEL clipd.stage=build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libuv1-dev libzmq3-dev libmsgpack-dev libsqlite3-dev libutf8proc-dev \
      libxxhash-dev libjansson-dev libinih-dev uthash-dev libmicrohttpd-dev \
      libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Tests and benches are not built here: the image carries only what runs.
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DCLIP_TESTS=OFF -DCLIP_BENCH=OFF \
      -DCMAKE_INSTALL_PREFIX=/usr/local \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/out cmake --install /build \
 && install -D -m 0755 packaging/docker/compose-init.sh /out/usr/local/lib/clipd/compose-init

FROM debian:bookworm-slim
ARG DEBIAN_FRONTEND=noninteractive
# The runtime libraries of the -dev packages above, and nothing else.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libuv1 libzmq5 libmsgpackc2 libsqlite3-0 libutf8proc2 libxxhash0 \
      libjansson4 libinih1 libmicrohttpd12 libcurl4 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/ /usr/local/
# A fixed uid/gid, so that volumes and a bind-mounted inbox can be given to it
# (docker-compose.yml's init service does that for ./inbox).
RUN groupadd --system --gid 10001 clipd \
 && useradd --system --uid 10001 --gid clipd --home-dir /var/lib/clipd --no-create-home clipd \
 && install -d -o clipd -g clipd -m 0750 /var/lib/clipd /keys /worker-keys \
 && install -d -o clipd -g clipd -m 0755 /inbox
USER clipd
WORKDIR /var/lib/clipd
# The SPEC's ports: tasks, pub, replay, HTTP.
EXPOSE 5555 5556 5557 9110
# /livez is 503 only when clipd's loop is stuck, which a restart mends;
# /healthz's other 503s (no worker yet, a full disk) a restart does not, and
# Swarm restarts unhealthy containers.  A worker container has no HTTP:
# docker-compose.yml disables the check there.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["clip", "status", "--live", "--http", "127.0.0.1:9110"]
ENV CLIPD_INBOX=/inbox CLIPD_STATE=/var/lib/clipd
CMD ["clipd"]

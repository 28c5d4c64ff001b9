# cornflow-ts image: build stage (dev dependencies, tsc, npm pack), run stage (the packed tarball installed
# with run-time dependencies only, as a non-root user). Entry point: `cornflow service init`, as cornflow's image.
# No HEALTHCHECK --start-period: dockerfilelint 1.8 rejects the option (its pattern stops at the dash); the first
# check runs after --interval (30s) and three failures are needed, which covers the migrations at start-up.
FROM node:20-slim AS build
WORKDIR /src
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm pack --pack-destination /tmp \
  && mv /tmp/cornflow-ts-*.tgz /tmp/cornflow-ts.tgz

FROM node:20-slim AS install
WORKDIR /opt/cornflow
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /tmp/cornflow-ts.tgz /tmp/cornflow-ts.tgz
RUN printf '{ "name": "cornflow-image", "private": true }\n' > package.json \
  && npm install --omit=dev --no-audit --no-fund /tmp/cornflow-ts.tgz \
  && npm cache clean --force

FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=5000 \
    CORNFLOW_DATA_DIR=/var/lib/cornflow \
    PATH=/opt/cornflow/node_modules/.bin:$PATH
RUN groupadd --system cornflow \
  && useradd --system --gid cornflow --home-dir /var/lib/cornflow --create-home cornflow
COPY --from=install --chown=root:root /opt/cornflow /opt/cornflow
WORKDIR /var/lib/cornflow
USER cornflow
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/health/').then(r=>r.json()).then(b=>process.exit(b.cornflow_status==='healthy'?0:1),()=>process.exit(1))"]
ENTRYPOINT ["cornflow"]
CMD ["service", "init"]

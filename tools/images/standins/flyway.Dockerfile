ARG NODE_IMAGE
FROM ${NODE_IMAGE}
WORKDIR /opt/flyway
COPY flyway/ ./
RUN --mount=type=secret,id=ca,required=false,target=/run/secrets/ca.pem \
    if [ -s /run/secrets/ca.pem ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca.pem; fi; \
    npm install --no-audit --no-fund --omit=dev \
    && printf '#!/bin/sh\nexec node /opt/flyway/flyway.ts "$@"\n' > /usr/local/bin/flyway \
    && chmod +x /usr/local/bin/flyway && mkdir -p /flyway/sql
WORKDIR /flyway
USER node
ENTRYPOINT ["flyway"]
CMD ["info"]

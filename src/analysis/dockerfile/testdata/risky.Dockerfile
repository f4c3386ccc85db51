FROM node
MAINTAINER dev@example.com
ARG NPM_TOKEN
ENV API_KEY=k3y-Value-123 NODE_ENV=production
RUN apt-get update && apt-get install -y build-essential python3
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
ADD https://example.com/agent.tgz /opt/
COPY . /app
WORKDIR app
RUN npm ci && npm run build
EXPOSE 22 3000
CMD ["node", "server.js"]

import type { RegistryHooks } from '../registry/registry.js';
import { Counter, Histogram, Registry as PromRegistry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server process. */
export class ServerMetrics {
  readonly registry = new PromRegistry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
  readonly events: Counter<'event'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'portcullis_' });
    this.requests = new Counter({
      name: 'portcullis_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'portcullis_http_request_duration_seconds',
      help: 'HTTP request duration by method and route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers: [this.registry],
    });
    this.events = new Counter({
      name: 'portcullis_registry_events_total',
      help: 'Registry events: blobs uploaded or mounted, manifests stored or deleted',
      labelNames: ['event'],
      registers: [this.registry],
    });
  }

  /** Registry hooks that count what happens. */
  registryHooks(): RegistryHooks {
    return {
      blobCommitted: (_repo, _digest, _size, how) => {
        this.events.inc({ event: how === 'mount' ? 'blob_mounted' : 'blob_uploaded' });
      },
      manifestPut: () => {
        this.events.inc({ event: 'manifest_put' });
      },
      manifestDeleted: () => {
        this.events.inc({ event: 'manifest_deleted' });
      },
    };
  }
}

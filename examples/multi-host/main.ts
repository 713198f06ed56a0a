/**
 * Replicas of a small HTTP service spread over every host of an inventory, using only the
 * busybox image, so it deploys on fresh sandbox hosts with no image build and no registry.
 */
import { App, HealthCheck, Image, Inventory, Mount, Network, Service, Stack } from 'hoist';

const app = new App();
const stack = new Stack(app, 'hello', {
  defaults: { resources: { cpus: 0.25, memory: '32MiB', pids: 50 }, noNewPrivileges: true, capDrop: ['ALL'] },
});
const hosts = Inventory.fromDefault(stack, 'hosts', { fallbackFile: 'inventory.json' });
const net = new Network(stack, 'mesh');
const busybox = Image.fromRegistry('busybox:latest');

// One public replica per host, on host port 8080.
new Service(stack, 'web', {
  image: busybox,
  command: ['sh', '-c', 'echo "hello from $(hostname)" > /www/index.html && exec httpd -f -v -p 8080 -h /www'],
  ports: [{ host: 8080, container: 8080 }],
  mounts: [Mount.tmpfs('/www', { size: '1MiB' })],
  networks: [net],
  replicas: hosts.hosts.length,
  readOnlyRootFilesystem: true,
  user: '65534:65534',
  healthCheck: HealthCheck.http(8080, { interval: '5s' }),
});

// Internal workers, spread evenly, reachable as "worker" on the mesh network.
new Service(stack, 'worker', {
  image: busybox,
  command: ['sh', '-c', 'while true; do sleep 3600; done'],
  networks: [net],
  replicas: 4,
  user: '65534:65534',
  readOnlyRootFilesystem: true,
});

app.synth();

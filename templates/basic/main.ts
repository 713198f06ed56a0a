/**
 * Your Hoist stack. `npx hoist synth` turns it into hoist.out/graph.json.
 *
 * Hosts come from the inventory: the file named by HOIST_INVENTORY, else the local sandbox
 * (`sudo npx hoist sandbox up`), else inventory.json beside this file.
 */
import { App, HealthCheck, Image, Inventory, Service, Stack } from 'hoist';

const app = new App();
const stack = new Stack(app, '{{stackName}}', {
  defaults: { resources: { memory: '64MiB', pids: 100 }, noNewPrivileges: true },
});
const hosts = Inventory.fromDefault(stack, 'hosts', { fallbackFile: 'inventory.json' });

new Service(stack, 'hello', {
  image: Image.fromRegistry('busybox:latest'),
  command: ['sh', '-c', 'mkdir -p /tmp/www && echo "hello from $(hostname)" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'],
  ports: [{ host: 8080, container: 8080 }],
  replicas: hosts.hosts.length,
  user: '65534:65534',
  healthCheck: HealthCheck.http(8080),
});

app.synth();

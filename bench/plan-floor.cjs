/**
 * The least a no-op plan must do, as one process: start Node, open one SSH connection per host
 * (all at once), and list every container through each host's engine socket. bench/cli.bench.ts
 * times it beside `hoist plan` and `hoist status` in the same run, as their floor.
 * Run: node bench/plan-floor.cjs <inventory.json>
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('ssh2');

const inventoryFile = process.argv[2];
const dir = path.dirname(inventoryFile);
const hosts = JSON.parse(fs.readFileSync(inventoryFile, 'utf8')).hosts;
const SOCKETS = { docker: '/var/run/docker.sock', podman: '/run/podman/podman.sock' };

function listContainers(host) {
  return new Promise((resolve, reject) => {
    const connection = new Client();
    connection.on('error', reject);
    connection.on('ready', () => {
      connection.openssh_forwardOutStreamLocal(SOCKETS[host.engine], (error, stream) => {
        if (error) return reject(error);
        const chunks = [];
        stream.on('data', (chunk) => chunks.push(chunk));
        stream.on('close', () => {
          connection.end();
          const text = Buffer.concat(chunks).toString('utf8');
          if (!text.startsWith('HTTP/1.1 200')) reject(new Error(`${host.name}: ${text.slice(0, 200)}`));
          else resolve();
        });
        stream.end('GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: engine\r\nConnection: close\r\n\r\n');
      });
    });
    // The sandbox's own hosts: the floor leaves out host-key checking (Hoist does it).
    connection.connect({
      host: host.address, port: host.port, username: host.user,
      privateKey: fs.readFileSync(path.resolve(dir, host.identityFile)),
      hostVerifier: () => true,
    });
  });
}

Promise.all(hosts.map(listContainers)).catch((error) => {
  console.error(error.message);
  process.exit(1);
});

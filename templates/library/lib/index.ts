import { Construct } from 'constructs';
import { HealthCheck, Host, Image, Service } from 'hoist';

/** Options for a {@link StaticSite}. */
export interface StaticSiteProps {
  /** The hosts it runs on, one container each. */
  readonly hosts: Host[];

  /** The page it serves. */
  readonly message: string;

  /**
   * Publish it on this port of each host.
   *
   * @default 8080
   */
  readonly port?: number;
}

/**
 * A sample composite construct: a small web server that serves one page, hardened and with
 * a health check. Replace it with the constructs your team shares.
 */
export class StaticSite extends Construct {
  /** The service it runs. */
  public readonly service: Service;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    const port = props.port ?? 8080;
    this.service = new Service(this, 'site', {
      image: Image.fromRegistry('busybox:1.36'),
      command: ['sh', '-c', `mkdir -p /tmp/www && printf '%s\\n' "$MESSAGE" > /tmp/www/index.html && exec httpd -f -p ${port} -h /tmp/www`],
      environment: { MESSAGE: props.message },
      ports: [{ host: port, container: port }],
      placement: { hosts: props.hosts },
      replicas: props.hosts.length,
      user: '65534:65534',
      healthCheck: HealthCheck.http(port),
      readOnlyRootFilesystem: true,
      capDrop: ['ALL'],
      noNewPrivileges: true,
      resources: { memory: '32MiB', pids: 50 },
    });
  }
}

/**
 * The engine objects a driver hands back, in the Engine API's JSON shape (which Docker
 * Engine and Podman both serve): only the fields Hoist reads are typed; the rest pass
 * through untyped for the normalizer (lib/engine/normalize-container.ts).
 */

/** A container as a list answers: cheap, one call for all. */
export interface ContainerSummary {
  readonly Id: string;
  /** With a leading slash, as the engines list them. */
  readonly Names: readonly string[];
  readonly Image: string;
  readonly ImageID: string;
  /** Seconds since the epoch. */
  readonly Created: number;
  /** created, running, paused, restarting, removing, exited or dead. */
  readonly State: string;
  /** "Up 3 minutes (healthy)", "Exited (137) 2 hours ago". */
  readonly Status: string;
  readonly Labels: Readonly<Record<string, string>> | null;
}

/** A mount of an inspected container. */
export interface ContainerMount {
  readonly Type?: string;
  readonly Name?: string;
  readonly Source?: string;
  readonly Destination?: string;
  readonly [key: string]: unknown;
}

/** A container as an inspect answers. */
export interface ContainerInspect {
  readonly Id: string;
  /** With a leading slash. */
  readonly Name: string;
  /** The image id. */
  readonly Image: string;
  readonly Config: {
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly User?: string;
    readonly Healthcheck?: { readonly Test?: readonly string[] | null } | null;
    readonly [key: string]: unknown;
  };
  readonly State: {
    readonly Status: string;
    readonly Running?: boolean;
    readonly ExitCode: number;
    readonly Health?: { readonly Status: string; readonly Log?: readonly { readonly Output: string }[] | null } | null;
    readonly [key: string]: unknown;
  };
  readonly Mounts?: readonly ContainerMount[] | null;
  readonly NetworkSettings: {
    readonly Networks?: Readonly<Record<string, { readonly Aliases?: readonly string[] | null; readonly [key: string]: unknown }>> | null;
    readonly [key: string]: unknown;
  };
  readonly HostConfig?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** An image as a list answers. */
export interface ImageSummary {
  readonly Id: string;
  readonly RepoTags: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
  readonly Labels?: Readonly<Record<string, string>> | null;
  /** Seconds since the epoch. */
  readonly Created: number;
  readonly Size?: number;
}

/** An image as an inspect answers. */
export interface ImageInspect {
  readonly Id: string;
  readonly RepoTags?: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
  readonly Config?: {
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly Volumes?: Readonly<Record<string, unknown>> | null;
    readonly [key: string]: unknown;
  } | null;
  readonly RootFS?: { readonly Layers?: readonly string[] | null } | null;
  readonly [key: string]: unknown;
}

/** One layer of an image's history. */
export interface ImageHistoryEntry {
  readonly CreatedBy?: string;
  readonly Size?: number;
  readonly Comment?: string;
}

/** A network as a list answers. */
export interface NetworkSummary {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Internal?: boolean;
  readonly IPAM?: { readonly Config?: readonly { readonly Subnet?: string }[] | null } | null;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

/** A volume as a list answers. */
export interface VolumeSummary {
  readonly Name: string;
  readonly Driver: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly Options?: Readonly<Record<string, string>> | null;
}

/** The Engine API body of POST /networks/create. */
export interface NetworkCreateBody {
  readonly Name: string;
  readonly Driver: string;
  readonly Internal: boolean;
  readonly Labels: Readonly<Record<string, string>>;
  readonly IPAM?: { readonly Config: readonly { readonly Subnet: string }[] };
  readonly CheckDuplicate?: boolean;
  readonly [key: string]: unknown;
}

/** The Engine API body of POST /volumes/create. */
export interface VolumeCreateBody {
  readonly Name: string;
  readonly Driver?: string;
  readonly DriverOpts?: Readonly<Record<string, string>>;
  readonly Labels: Readonly<Record<string, string>>;
}

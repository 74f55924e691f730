/** A site: a location whose cameras share scopes and the four-eyes rule. */
export interface Site {
  readonly id: string;
  readonly name: string;
  readonly fourEyes: boolean;
}

/** A camera group: cameras across sites granted together. */
export interface CameraGroup {
  readonly id: string;
  readonly name: string;
  readonly cameraIds: string[];
}

/** Sites and camera groups in the metadata database. */
export interface SiteStore {
  sites(): Promise<Site[]>;
  site(id: string): Promise<Site | undefined>;
  /** True when a site has this id or this name. */
  siteTaken(id: string, name: string): Promise<boolean>;
  insertSite(site: Site, atMs: number): Promise<void>;
  updateSite(site: Site): Promise<void>;
  groups(): Promise<CameraGroup[]>;
  camerasExist(ids: readonly string[]): Promise<boolean>;
  /** Inserts or renames a group; replaces its members when `cameraIds` is given. */
  saveGroup(group: { id: string; name: string; cameraIds?: readonly string[] | undefined }, create: boolean, atMs: number): Promise<void>;
}

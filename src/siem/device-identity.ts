/** Who sends an event, as CEF and LEEF headers name it (Device Vendor, Product, Version). */
export interface DeviceIdentity {
  readonly vendor: string;
  readonly product: string;
  /** The Custos release, e.g. package.json `version`. */
  readonly version: string;
}

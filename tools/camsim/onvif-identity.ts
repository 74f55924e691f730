/** Who a simulated ONVIF camera says it is: every field configurable so tests have devices of any vendor. */
export interface OnvifIdentity {
  readonly manufacturer: string;
  readonly model: string;
  readonly firmwareVersion: string;
  readonly serialNumber: string;
  readonly hardwareId: string;
  /** `aa:bb:cc:dd:ee:ff`; the first three octets are the OUI Custos vets. */
  readonly mac: string;
}

/** A neutral default identity (the OUI 02:00:5e is locally administered, so no vendor's). */
export const defaultOnvifIdentity: OnvifIdentity = {
  manufacturer: 'Custos camsim',
  model: 'SIM-1080',
  firmwareVersion: '1.0.0',
  serialNumber: 'SIM0000001',
  hardwareId: 'camsim-hw-1',
  mac: '02:00:5e:00:00:01',
};

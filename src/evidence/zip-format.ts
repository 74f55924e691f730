/**
 * Record signatures and field limits of the ZIP format (APPNOTE 6.3.10 §4.3), shared by our
 * writer and our bounded reader so the two cannot disagree. A 16- or 32-bit field holding its
 * maximum means "see the ZIP64 record".
 */
export const LOCAL_SIG = 0x04034b50;
export const CENTRAL_SIG = 0x02014b50;
export const DESCRIPTOR_SIG = 0x08074b50;
export const EOCD_SIG = 0x06054b50;
export const ZIP64_EOCD_SIG = 0x06064b50;
export const ZIP64_LOCATOR_SIG = 0x07064b50;
export const MAX16 = 0xffff;
export const MAX32 = 0xffffffff;

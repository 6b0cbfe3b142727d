/** A field left out of (or changed in) what MoEngage receives, and why: shown in the debugger, never a silent loss. */
export interface Omission {
  reason: string;
  detail: string;
}

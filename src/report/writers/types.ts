export interface WriterOptions {
  /** Colour severities (table); set by the CLI only when stdout is a TTY. */
  color?: boolean;
  /** Fixed time and serial number for reproducible output (golden files). */
  timestamp?: Date;
  serialNumber?: string;
}

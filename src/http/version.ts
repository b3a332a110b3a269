/**
 * `/version`: version.Info. The minor version is one a kubectl on this machine has (1.27–1.33): the
 * gcloud `kubectl` dispatcher picks its binary by the server's minor, and 1.31 keeps 1.29–1.33 within
 * kubectl's ±2 of it. The model itself follows 1.30 behaviour (see docs/http.md).
 */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export const SERVED_VERSION: VersionInfo = Object.freeze({
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0',
  gitCommit: '9edcffcde5595e8a5b1a35f88c421764e575afce',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T07:28:49Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
});

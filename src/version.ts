// The firmware's version, reported on every boot event. Development builds say "dev"; the
// release tool writes the git tag here before it builds a release image.
export const FIRMWARE_VERSION = "0.1.0-dev"

/**
 * Explains why the native addon failed to load when the reason is a shared library missing on
 * this machine, as with a packaged extension installed where oneDNN is not: the addon is fine,
 * the system lacks the library it links against, and rebuilding would not help without it.
 */

/** The shared object the dynamic loader could not find, from its message; null when that is not the failure. */
export function missingSharedLibrary(loaderMessage: string): string | null {
  const match = /([^\s:/]+\.so(?:\.[0-9]+)*): cannot open shared object file/.exec(loaderMessage);
  return match ? match[1] : null;
}

/** The Debian package that holds a oneDNN soname (libdnnl.so.2 → libdnnl2); null for other libraries. */
export function debianPackageFor(soname: string): string | null {
  const match = /^libdnnl\.so\.([0-9]+)/.exec(soname);
  return match ? `libdnnl${match[1]}` : null;
}

/** A one-line explanation and fix for a missing library, or null when the load failed for another reason. */
export function describeMissingLibrary(addonFile: string, loaderMessage: string): string | null {
  const soname = missingSharedLibrary(loaderMessage);
  if (soname === null) return null;
  const pkg = debianPackageFor(soname);
  const what = pkg ? `oneDNN's library ${soname}` : `the library ${soname}`;
  const install = pkg ? `Install it (Debian/Ubuntu: apt-get install ${pkg}, or libdnnl-dev)` : `Install the package that provides ${soname}`;
  return `The native backend's addon ${addonFile} needs ${what}, which is not installed on this machine. ` +
    `${install}; until then \`backend: auto\` trains on wasm.`;
}

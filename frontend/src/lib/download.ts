/**
 * downloadFile hands bytes to the browser as a file download (CSV exports
 * and templates, rendered reports). The object URL is released once the
 * browser has had time to start the download.
 */
export function downloadFile(name: string, content: Uint8Array, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([content as BlobPart], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

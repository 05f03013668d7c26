// For tests/windows/tls_test.sh: trusts a DER certificate on this (Wine)
// computer, as a school's technician does for its center's own authority:
// the machine's "Trusted Root Certification Authorities" store.
//
//   add_root_cert.exe CERT.der
#include <windows.h>
// After windows.h, which it needs.
#include <wincrypt.h>

#include <cstdio>
#include <vector>

int wmain(int argc, wchar_t** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: add_root_cert CERT.der\n");
    return 2;
  }
  FILE* f = _wfopen(argv[1], L"rb");
  if (f == nullptr) {
    std::fprintf(stderr, "add_root_cert: cannot read the certificate\n");
    return 1;
  }
  std::vector<unsigned char> der;
  unsigned char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) der.insert(der.end(), buf, buf + n);
  std::fclose(f);
  HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE, L"Root");
  if (store == nullptr) {
    std::fprintf(stderr, "add_root_cert: cannot open the Root store (error %lu)\n", GetLastError());
    return 1;
  }
  const BOOL added = CertAddEncodedCertificateToStore(
      store, X509_ASN_ENCODING, der.data(), static_cast<DWORD>(der.size()), CERT_STORE_ADD_REPLACE_EXISTING, nullptr);
  const DWORD error = GetLastError();
  CertCloseStore(store, 0);
  if (!added) {
    std::fprintf(stderr, "add_root_cert: the certificate was not added (error %lu)\n", error);
    return 1;
  }
  return 0;
}

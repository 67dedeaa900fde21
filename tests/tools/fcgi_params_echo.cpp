// fcgi_params_echo: a FastCGI responder that answers every request with what it received, as JSON:
//   {"params": {"NAME": "value", ...}, "body_bytes": N, "body_error": E}
// The e2e suites put it behind a front server in place of appreg-fcgi to see exactly which parameters the
// shipped configuration makes the server send (REQUEST_URI raw, HTTP_AUTHORIZATION forwarded, no HTTP_PROXY,
// CONTENT_LENGTH). It serves the listening socket on fd 0 (spawn-fcgi, mod_fcgid, the tests) and ignores its
// arguments, so it can stand in for the worker's command line. Test tool only; never installed.

#include <fcgiapp.h>

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace {

std::string quote(const std::string& text) {
    std::string out = "\"";
    for (const unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (c < 0x20 || c >= 0x7f) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
                    out += escaped;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

void onTerminate(int) { ::_exit(0); }

}  // namespace

int main() {
    // Installed before FCGX_Init so that libfcgi keeps it (it only takes over SIGTERM at its default
    // disposition, and then merely sets a flag): SIGTERM must end the process at once.
    ::signal(SIGTERM, onTerminate);
    if (FCGX_Init() != 0) {
        return 1;
    }
    FCGX_Request request;
    FCGX_InitRequest(&request, 0, 0);
    while (FCGX_Accept_r(&request) == 0) {
        std::string params = "{";
        for (char** env = request.envp; env != nullptr && *env != nullptr; ++env) {
            const std::string entry = *env;
            const std::size_t equals = entry.find('=');
            params += (params.size() > 1 ? ", " : "") + quote(entry.substr(0, equals)) + ": " +
                      quote(equals == std::string::npos ? "" : entry.substr(equals + 1));
        }
        params += "}";
        long long bodyBytes = 0;
        char buffer[16384];
        for (;;) {
            const int got = FCGX_GetStr(buffer, sizeof buffer, request.in);
            if (got <= 0) {
                break;
            }
            bodyBytes += got;
        }
        const std::string json = "{\"params\": " + params + ", \"body_bytes\": " + std::to_string(bodyBytes) +
                                 ", \"body_error\": " + std::to_string(FCGX_GetError(request.in)) + "}";
        FCGX_FPrintF(request.out,
                     "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
                     static_cast<int>(json.size()));
        FCGX_PutStr(json.data(), static_cast<int>(json.size()), request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}

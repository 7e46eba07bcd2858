#include <curl/curl.h>

// curl_easy_setopt / curl_easy_getinfo are variadic and do not import into Swift: these typed wrappers
// expose what HTTPKit needs. One wrapper per argument type; the option or info constant picks the meaning.

typedef size_t (*ytce_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*ytce_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                           curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode ytce_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ytce_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ytce_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ytce_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ytce_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
// For CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
static inline CURLcode ytce_curl_setopt_data_callback(CURL *handle, CURLoption option, ytce_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode ytce_curl_setopt_xferinfo_callback(CURL *handle, ytce_curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}
static inline CURLcode ytce_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ytce_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
// The result of a CURLMSG_DONE message (a union member, awkward from Swift).
static inline CURLcode ytce_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

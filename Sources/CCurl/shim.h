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
static inline CURLMcode ytce_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
static inline CURLcode ytce_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ytce_curl_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode ytce_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}
// The result of a CURLMSG_DONE message (a union member, awkward from Swift).
static inline CURLcode ytce_curl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

// A connection cache, DNS answers and TLS sessions shared by the transfers (the pooled easy handles) of one HTTP
// client. curl asks for a lock per kind of shared data; one mutex per kind.
#include <pthread.h>
#include <stdlib.h>
typedef struct {
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
} ytce_curl_share;

static void ytce_curl_share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userptr) {
    (void)handle; (void)access;
    pthread_mutex_lock(&((ytce_curl_share *)userptr)->locks[data]);
}
static void ytce_curl_share_unlock(CURL *handle, curl_lock_data data, void *userptr) {
    (void)handle;
    pthread_mutex_unlock(&((ytce_curl_share *)userptr)->locks[data]);
}
/// Connections, DNS answers and TLS sessions shared; NULL when curl cannot share them.
static inline ytce_curl_share *ytce_curl_share_new(void) {
    ytce_curl_share *s = calloc(1, sizeof(ytce_curl_share));
    if (!s) return NULL;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&s->locks[i], NULL);
    s->share = curl_share_init();
    if (!s->share
        || curl_share_setopt(s->share, CURLSHOPT_LOCKFUNC, ytce_curl_share_lock) != CURLSHE_OK
        || curl_share_setopt(s->share, CURLSHOPT_UNLOCKFUNC, ytce_curl_share_unlock) != CURLSHE_OK
        || curl_share_setopt(s->share, CURLSHOPT_USERDATA, s) != CURLSHE_OK
        || curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK
        || curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK
        || curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        if (s->share) curl_share_cleanup(s->share);
        for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&s->locks[i]);
        free(s);
        return NULL;
    }
    return s;
}
/// Frees the share once no transfer uses it.
static inline void ytce_curl_share_free(ytce_curl_share *s) {
    if (!s) return;
    curl_share_cleanup(s->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&s->locks[i]);
    free(s);
}
static inline CURLcode ytce_curl_setopt_share(CURL *handle, ytce_curl_share *s) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, s->share);
}

#include "http_client.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include <curl/curl.h>

namespace oidfed::test {

namespace {

std::size_t onBody(char *data, std::size_t size, std::size_t count, void *user)
{
    static_cast<HttpReply *>(user)->body.append(data, size * count);
    return size * count;
}

std::size_t onHeader(char *data, std::size_t size, std::size_t count, void *user)
{
    std::string line(data, size * count);
    std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' '))
            value.erase(value.begin());
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.pop_back();
        static_cast<HttpReply *>(user)->headers[name] = value;
    }
    return size * count;
}

} // namespace

HttpReply httpRequest(const std::string &url, const std::vector<std::string> &headers, const std::string &method,
                      const std::string &postBody)
{
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl)
        throw std::runtime_error("curl_easy_init failed");
    HttpReply reply;
    curl_slist *list = nullptr;
    for (const std::string &header : headers)
        list = curl_slist_append(list, header.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> listGuard(list, curl_slist_free_all);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &reply);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
    if (method == "POST") {
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, postBody.c_str());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(postBody.size()));
    } else if (method != "GET") {
        curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
        if (!postBody.empty()) {  // PATCH, PUT, DELETE with a body
            curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, postBody.c_str());
            curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(postBody.size()));
        }
    }
    CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK)
        throw std::runtime_error(std::string("HTTP request failed: ") + curl_easy_strerror(rc) + " for " + url);
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

} // namespace oidfed::test

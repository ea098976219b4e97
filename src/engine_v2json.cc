/*
 * engine_v2json: see engine_v2json.h. The fields used are public members
 * of libmodsecurity 3.0.9's Transaction and RulesSetProperties.
 */
#include "engine_v2json.h"
#include "jsonargs_v2.h"

#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <string>
#include <utility>
#include <vector>

namespace {

typedef std::vector<std::pair<std::string, std::string> > Args;

void collect(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
	static_cast<Args *>(ctx)->emplace_back(std::string(name, nl), std::string(value, vl));
}

}

int engine_v2json_args(void *tp)
{
	modsecurity::Transaction *t = static_cast<modsecurity::Transaction *>(tp);
	const std::string body = t->m_requestBody.str();
	size_t len = body.size();
	Args args;
	long depth = 0;

	if (t->m_requestBodyProcessor != modsecurity::Transaction::JSONRequestBody ||
	    t->m_requestBodyType != modsecurity::Transaction::UnknownFormat || !len)
		return 0;
	if (t->m_rules->m_requestBodyNoFilesLimit.m_set &&
	    (double)len > t->m_rules->m_requestBodyNoFilesLimit.m_value)
		return 0;
	if (t->m_rules->m_requestBodyJsonDepthLimit.m_set)
		depth = (long)t->m_rules->m_requestBodyJsonDepthLimit.m_value;
	if (v2json_args(body.data(), len, depth, collect, &args) < 0)
		return 0;
	for (const auto &a : args)
		t->addArgument("JSON", a.first, a.second, 0);
	t->m_requestBodyProcessor = modsecurity::Transaction::UnknownFormat;
	return 1;
}

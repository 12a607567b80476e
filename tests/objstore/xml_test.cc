#include "objstore/s3/xml.h"

#include <gtest/gtest.h>

namespace meridian::objstore::s3 {
namespace {

TEST(Xml, ParsesListBucketResult) {
  const char* doc = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>dir/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>dir/a&amp;b &lt;c&gt;</Key><Size>3</Size><ETag>&quot;x&quot;</ETag></Contents>
  <CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>
  <!-- a comment -->
  <Empty/>
</ListBucketResult>)";
  auto r = ParseXml(doc);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->name, "ListBucketResult");
  EXPECT_EQ(r->ChildText("IsTruncated"), "true");
  EXPECT_EQ(r->ChildText("Prefix"), "dir/");
  EXPECT_EQ(r->ChildText("NextContinuationToken"), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_NE(r->Child("Contents"), nullptr);
  EXPECT_EQ(r->Child("Contents")->ChildText("Key"), "dir/a&b <c>");
  EXPECT_EQ(r->Child("Contents")->ChildText("ETag"), "\"x\"");
  EXPECT_EQ(r->Child("CommonPrefixes")->ChildText("Prefix"), "dir/sub/");
  ASSERT_NE(r->Child("Empty"), nullptr);
  EXPECT_EQ(r->ChildText("Missing"), "");
}

TEST(Xml, DecodesCharacterReferencesAndCdata) {
  auto r = ParseXml("<K>&#65;&#x42;&#x44d;<![CDATA[<raw&>]]></K>");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->text, "AB\xd1\x8d<raw&>");
}

TEST(Xml, AttributeValuesMayHoldAngleBrackets) {
  auto r = ParseXml("<a x='1>2' y=\"/\"><b>t</b></a>");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->ChildText("b"), "t");
}

TEST(Xml, RejectsMalformedDocuments) {
  for (const char* bad : {"", "text", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#xZZ;</a>",
                          "<a><b></a>", "<a/><b/>", "<a x=1/>", "<a>&#x110000;</a>",
                          "<![CDATA[x", "<a><!-- unterminated</a>"}) {
    auto r = ParseXml(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorrupt) << bad;
    }
  }
}

TEST(Xml, DeepNestingIsAnErrorNotACrash) {
  std::string doc;
  for (int i = 0; i < 10000; ++i) doc += "<a>";
  auto r = ParseXml(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace meridian::objstore::s3

// Reading S3's ListObjectsV2 answer (s3_client.h): the keys in order with XML entities decoded,
// each object's size and time, and the continuation token only while the listing is truncated.
#include "destinations/filesystem/s3_client.h"

#include <gtest/gtest.h>

namespace dlt {
namespace {

TEST(S3ListPage, KeysComeInOrderWithXmlEntitiesDecoded) {
  const std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>lake</Name><Prefix>raw/</Prefix>"
      "<KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
      "<Contents><Key>raw/shop_data/orders/1.0.parquet</Key><Size>10</Size></Contents>"
      "<Contents><Key>raw/shop_data/a&amp;b/&lt;x&gt; &quot;q&quot; &apos;s&apos;.jsonl.gz</Key></Contents>"
      "<Contents><Key>raw/shop_data/init</Key></Contents></ListBucketResult>";
  S3ListPage page = ParseS3ListPage(xml);
  EXPECT_EQ(page.keys, (std::vector<std::string>{"raw/shop_data/orders/1.0.parquet",
                                                 "raw/shop_data/a&b/<x> \"q\" 's'.jsonl.gz", "raw/shop_data/init"}));
  EXPECT_FALSE(page.next_token.has_value()) << "not truncated: no next page";
}

TEST(S3ListPage, ObjectsCarryTheirSizeAndTimeWithTheKeyDecodedOnce) {
  const std::string xml =
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>in/a&amp;lt;b.csv</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified>"
      "<ETag>&quot;x&quot;</ETag><Size>21</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>in/folder/</Key><Size>0</Size></Contents></ListBucketResult>";
  S3ListPage page = ParseS3ListPage(xml);
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "in/a&lt;b.csv") << "the key `in/a&lt;b.csv` as S3 escapes it, decoded once";
  EXPECT_EQ(page.objects[0].size, 21u);
  EXPECT_EQ(page.objects[0].last_modified, "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(page.objects[1].key, "in/folder/");
  EXPECT_EQ(page.objects[1].size, 0u);
  EXPECT_EQ(page.objects[1].last_modified, "");
}

TEST(S3ListPage, ATruncatedListingGivesTheTokenOfTheNextPage) {
  const std::string xml =
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key></Contents>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken></ListBucketResult>";
  S3ListPage page = ParseS3ListPage(xml);
  EXPECT_EQ(page.keys, (std::vector<std::string>{"a"}));
  ASSERT_TRUE(page.next_token.has_value());
  EXPECT_EQ(*page.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3ListPage, AnEmptyOrCutAnswerGivesNoKeysAndNoNextPage) {
  EXPECT_TRUE(ParseS3ListPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>").keys.empty());
  S3ListPage cut = ParseS3ListPage("<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a");
  EXPECT_TRUE(cut.keys.empty()) << "an unterminated element is not a key";
  EXPECT_FALSE(cut.next_token.has_value());
}

// S3 signs the canonical query and libcurl signs the query as written: they must be the same.
TEST(S3Query, IsWrittenAsS3SignsIt_SortedEachWithAnEqualsSignAndRfc3986Encoded) {
  EXPECT_EQ(CanonicalS3Query({}), "");
  EXPECT_EQ(CanonicalS3Query({{"list-type", "2"}, {"prefix", "raw/a b"}, {"continuation-token", "x/y=+"}}),
            "?continuation-token=x%2Fy%3D%2B&list-type=2&prefix=raw%2Fa%20b");
  EXPECT_EQ(CanonicalS3Query({{"uploads", ""}}), "?uploads=");
  EXPECT_EQ(CanonicalS3Query({{"uploadId", "u1"}, {"partNumber", "10"}}), "?partNumber=10&uploadId=u1");
}

}  // namespace
}  // namespace dlt
